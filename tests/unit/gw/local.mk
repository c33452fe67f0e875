# Scenario tests of the whole gateway (src/gateway.c) on virtual time: the
# RFC 3666 ISDN flows in both directions and overlap dialling, against the
# simulated PBX and a scripted SIP peer.  One program per direction over a
# shared fixture.
GW_FX = tests/unit/gw/gw_fx.c tests/unit/gw/gw_fx.h
check_PROGRAMS += tests/unit/gw/test_scn_sip2pstn
TESTS += tests/unit/gw/test_scn_sip2pstn
tests_unit_gw_test_scn_sip2pstn_SOURCES = tests/unit/gw/test_scn_sip2pstn.c $(GW_FX)
tests_unit_gw_test_scn_sip2pstn_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit/gw
tests_unit_gw_test_scn_sip2pstn_LDADD = $(TEST_LDADD)
check_PROGRAMS += tests/unit/gw/test_scn_pstn2sip
TESTS += tests/unit/gw/test_scn_pstn2sip
tests_unit_gw_test_scn_pstn2sip_SOURCES = tests/unit/gw/test_scn_pstn2sip.c $(GW_FX)
tests_unit_gw_test_scn_pstn2sip_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit/gw
tests_unit_gw_test_scn_pstn2sip_LDADD = $(TEST_LDADD)
check_PROGRAMS += tests/unit/gw/test_scn_overlap
TESTS += tests/unit/gw/test_scn_overlap
tests_unit_gw_test_scn_overlap_SOURCES = tests/unit/gw/test_scn_overlap.c $(GW_FX)
tests_unit_gw_test_scn_overlap_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit/gw
tests_unit_gw_test_scn_overlap_LDADD = $(TEST_LDADD)
check_PROGRAMS += tests/unit/gw/test_scn_hold
TESTS += tests/unit/gw/test_scn_hold
tests_unit_gw_test_scn_hold_SOURCES = tests/unit/gw/test_scn_hold.c $(GW_FX)
tests_unit_gw_test_scn_hold_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit/gw
tests_unit_gw_test_scn_hold_LDADD = $(TEST_LDADD)
check_PROGRAMS += tests/unit/gw/test_scn_transfer
TESTS += tests/unit/gw/test_scn_transfer
tests_unit_gw_test_scn_transfer_SOURCES = tests/unit/gw/test_scn_transfer.c $(GW_FX)
tests_unit_gw_test_scn_transfer_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit/gw
tests_unit_gw_test_scn_transfer_LDADD = $(TEST_LDADD)
check_PROGRAMS += tests/unit/gw/test_scn_sipconf
TESTS += tests/unit/gw/test_scn_sipconf
tests_unit_gw_test_scn_sipconf_SOURCES = tests/unit/gw/test_scn_sipconf.c $(GW_FX) \
	tests/unit/sip/dns_fake.c tests/unit/sip/dns_fake.h
tests_unit_gw_test_scn_sipconf_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit/gw \
	-I$(top_srcdir)/tests/unit/sip
tests_unit_gw_test_scn_sipconf_LDADD = $(TEST_LDADD)
check_PROGRAMS += tests/unit/gw/test_scn_ctl
TESTS += tests/unit/gw/test_scn_ctl
tests_unit_gw_test_scn_ctl_SOURCES = tests/unit/gw/test_scn_ctl.c $(GW_FX)
tests_unit_gw_test_scn_ctl_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/unit/gw
tests_unit_gw_test_scn_ctl_LDADD = $(TEST_LDADD)
