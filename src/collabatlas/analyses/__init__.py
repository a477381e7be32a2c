"""Analyses over the counting statements: frames in, frames out (profile, group, landscape, network, uncertainty)."""
