"""The review as a process (rà soát hộ nghèo, hộ cận nghèo): periodic campaigns over communes,
each commune's review step by step (list, assignment, survey, village meeting, posting,
complaints, decision, report upward), the monthly ad-hoc applications, and the documents
people sign. Its outcome is the registry's approved review records."""
