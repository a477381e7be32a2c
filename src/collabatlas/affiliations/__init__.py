"""Attribution: an address or affiliation string → ROR institution, sector and country; the ROR registry;
institution coordinates."""
