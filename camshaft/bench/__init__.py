"""`camshaft bench`: latency percentiles of the storefront's hot reads on an N-part catalogue."""
