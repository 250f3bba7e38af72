"""Every write of the review process. Each function is keyword-only, takes the acting user,
checks the right (``reviews.access``, ``PermissionDenied`` with a bilingual message) and the
step's order (``ValidationError`` with a bilingual message and a code), runs in one
transaction and leaves an entry in the registry's tamper-evident audit trail. A refused action
changes nothing.

* ``campaigns``: open a campaign, its deadlines and calendar; submit, return, accept (lock),
  unlock, close;
* ``lists``: the list to review, applicants (Phiếu A), additions, assignment, surveys (Phiếu B);
* ``steps``: village meetings and their vote, the posting, complaints (re-check, decision,
  appeal);
* ``decision``: the commune's recognition decision into approved registry records;
* ``intake``: a committed spreadsheet import of the year as a second way into the campaign;
* ``adhoc``: monthly applications, from receipt to recognition or refusal.
"""

from giamngheo.reviews.services.adhoc import (
    application_decide,
    application_meeting,
    application_post,
    application_receive,
    application_survey,
)
from giamngheo.reviews.services.campaigns import (
    campaign_close,
    campaign_open,
    campaign_set_calendar,
    campaign_set_due,
    commune_accept,
    commune_return,
    commune_submit,
    commune_unlock,
    figures_of,
)
from giamngheo.reviews.services.decision import decide
from giamngheo.reviews.services.intake import Intake, import_into_campaign
from giamngheo.reviews.services.lists import (
    assign,
    list_add,
    list_add_applicant,
    list_generate,
    survey_save,
)
from giamngheo.reviews.services.steps import (
    complaint_decide,
    complaint_open,
    meeting_record,
    posting_start,
)

__all__ = [
    "Intake",
    "application_decide",
    "application_meeting",
    "application_post",
    "application_receive",
    "application_survey",
    "assign",
    "campaign_close",
    "campaign_open",
    "campaign_set_calendar",
    "campaign_set_due",
    "commune_accept",
    "commune_return",
    "commune_submit",
    "commune_unlock",
    "complaint_decide",
    "complaint_open",
    "decide",
    "figures_of",
    "import_into_campaign",
    "list_add",
    "list_add_applicant",
    "list_generate",
    "meeting_record",
    "posting_start",
    "survey_save",
]
