"""Reports for analysts: the exclusion waterfall, identifier quality, match rates and their trend, held-back
audiences, as a typed model rendered to one self-contained HTML file."""
