"""Domain operations of reviews (reviews.py), complaints (complaints.py) and the public statistics (stats.py)."""
