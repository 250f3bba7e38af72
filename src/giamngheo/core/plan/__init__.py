"""The yearly poverty-reduction plan table (annex "CHỈ TIÊU GIẢM NGHÈO"): model, checks,
proposal, reading and writing. Pure Python."""
