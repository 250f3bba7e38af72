"""Every write of the support app, one module a part: organisations and tasks
(``organisations``), projects, beneficiaries and the support ledger with revolving capital
(``projects``, ``ledger``), allocations, disbursements and settlements (``money``), the loan
import (``loans``), housing (``housing``), escape registrations (``escape``). Each takes the
acting user, checks its right (``support.access``), writes in one transaction with an audit row
(``registry.audit``, action ``support_*``), and refuses with a coded bilingual
``ValidationError`` that changes nothing."""
