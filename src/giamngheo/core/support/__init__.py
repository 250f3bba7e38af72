"""Support and money, pure: the programme's structure as versioned data, support types and
what each addresses, eligibility, VND arithmetic, the allocation chain, revolving capital,
deprivations against support, the escape pipeline and the Social Policy Bank's loan file.

No Django: the ``giamngheo.support`` app stores and shows; every rule and figure is here.
"""
