"""The support pages, one module a part, each listing its own ``urlpatterns``: programmes
(the programme tree), organisations (organisations and tasks), projects (projects,
beneficiaries, deliveries, revolving capital), money (allocations, disbursements,
settlements, the money report), credit (loans and their import, housing), escape (deprivations
against support, the escape pipeline and registrations), panels (the sections added to the
household and plan pages), common (what they share)."""
