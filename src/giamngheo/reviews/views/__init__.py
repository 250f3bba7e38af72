"""The review process's pages, one module per part: ``campaign`` (campaigns and the
consolidation), ``commune`` (a commune's review step by step, its documents), ``survey`` (the
survey form, Phiếu B), ``adhoc`` (monthly applications). Each module lists its own
``urlpatterns``; ``reviews.urls`` joins them."""
