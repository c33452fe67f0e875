# The daemon: main.c is thin (arguments → config → loop).
src_libstrowger_a_SOURCES += src/gwconf.c src/gwconf_pstn.c
noinst_HEADERS += src/gwconf.h
bin_PROGRAMS += strowger
strowger_SOURCES = src/main.c
sgconfdir = $(sysconfdir)/strowger
dist_sgconf_DATA = conf/strowger.conf

TESTS += tests/scenario/check_config.sh tests/scenario/default_sim.sh
EXTRA_DIST += tests/scenario/check_config.sh tests/scenario/default_sim.sh
check_PROGRAMS += tests/unit/daemon/test_gwconf tests/unit/daemon/test_gw_access
TESTS += tests/unit/daemon/test_gwconf tests/unit/daemon/test_gw_access
tests_unit_daemon_test_gw_access_SOURCES = tests/unit/daemon/test_gw_access.c
tests_unit_daemon_test_gw_access_CFLAGS = $(TEST_CFLAGS)
tests_unit_daemon_test_gw_access_LDADD = $(TEST_LDADD)
tests_unit_daemon_test_gwconf_SOURCES = tests/unit/daemon/test_gwconf.c \
	tests/unit/sip/tls_fx.c tests/unit/sip/tls_fx.h
tests_unit_daemon_test_gwconf_CFLAGS = $(TEST_CFLAGS)
tests_unit_daemon_test_gwconf_LDADD = $(TEST_LDADD)
check_PROGRAMS += tests/unit/daemon/test_gw_trunk
TESTS += tests/unit/daemon/test_gw_trunk
tests_unit_daemon_test_gw_trunk_SOURCES = tests/unit/daemon/test_gw_trunk.c
tests_unit_daemon_test_gw_trunk_CFLAGS = $(TEST_CFLAGS)
tests_unit_daemon_test_gw_trunk_LDADD = $(TEST_LDADD)

# The gateway object and its services: control socket, CDR store.
src_libstrowger_a_SOURCES += src/gw_reg.c src/gw_access.c
noinst_HEADERS += src/gw_reg.h
src_libstrowger_a_SOURCES += src/gateway.c src/ctl/ctl.c src/ctl/ctl_client.c src/call/cdr.c
noinst_HEADERS += src/gateway.h src/ctl/ctl.h src/call/cdr.h
bin_PROGRAMS += strowger-ctl
strowger_ctl_SOURCES = src/ctl/ctl_main.c

check_PROGRAMS += tests/unit/ctl/test_ctl tests/unit/call/test_cdr
TESTS += tests/unit/ctl/test_ctl tests/unit/call/test_cdr tests/scenario/daemon_ctl.sh
EXTRA_DIST += tests/scenario/daemon_ctl.sh
tests_unit_ctl_test_ctl_SOURCES = tests/unit/ctl/test_ctl.c
tests_unit_ctl_test_ctl_CFLAGS = $(TEST_CFLAGS)
tests_unit_ctl_test_ctl_LDADD = $(TEST_LDADD)
tests_unit_call_test_cdr_SOURCES = tests/unit/call/test_cdr.c
tests_unit_call_test_cdr_CFLAGS = $(TEST_CFLAGS)
tests_unit_call_test_cdr_LDADD = $(TEST_LDADD)

# The systemd unit with this build's paths, built with the programs and
# installed as an example next to the mapping tables (copying it into
# /etc/systemd/system is the operator's choice, and needs no root here).
pkgdata_DATA = conf/strowger.service
CLEANFILES += conf/strowger.service
EXTRA_DIST += conf/strowger.service.in
conf/strowger.service: $(srcdir)/conf/strowger.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) conf && sed -e 's|@bindir[@]|$(bindir)|g' \
		-e 's|@sysconfdir[@]|$(sysconfdir)|g' -e 's|@localstatedir[@]|$(localstatedir)|g' \
		$(srcdir)/conf/strowger.service.in >$@.tmp && mv $@.tmp $@

# Where the installed gateway keeps its socket and CDRs.
install-data-local:
	$(MKDIR_P) $(DESTDIR)$(localstatedir)/run/strowger $(DESTDIR)$(localstatedir)/lib/strowger
src_libstrowger_a_SOURCES += src/gw_pstn.c
noinst_HEADERS += src/gw_pstn.h
dist_sgconf_DATA += conf/sim-pri.conf conf/sim-pbx.script conf/sim-exchange.map
src_libstrowger_a_SOURCES += src/gw_sip.c src/gw_media.c src/gwconf_sip.c \
	src/gwconf_trunk.c src/gw_trunk.c
noinst_HEADERS += src/gw_sip.h src/gw_media.h src/gw_trunk.h

# Interop: SIPp calls the running gateway on its embedded default.
TESTS += tests/interop/gw_sipp.sh tests/interop/gw_baresip.sh tests/interop/gw_sipp_uas.sh
TESTS += tests/interop/gw_auth.sh
EXTRA_DIST += tests/interop/gw_auth.sh tests/interop/gw_auth_registrar.xml \
	tests/interop/gw_auth_uac.xml tests/interop/gw_auth_wrong.xml \
	tests/interop/gw_auth_refused.xml.in
EXTRA_DIST += tests/interop/gw_sipp.sh tests/interop/gw_baresip.sh tests/interop/gw_sipp_uas.sh tests/interop/gw_uac_answer.xml \
	tests/interop/gw_uac_reject.xml.in

# Interop: the PSTN side fails mid-call (simfault); BYE with Reason cause 41.
TESTS += tests/interop/gw_dchan_loss.sh
EXTRA_DIST += tests/interop/gw_dchan_loss.sh tests/interop/gw_uac_bye_in.xml

# Interop: SIP trunks: failover from a 503 trunk to the next, and max_calls.
TESTS += tests/interop/gw_trunks.sh
EXTRA_DIST += tests/interop/gw_trunks.sh tests/interop/gw_uas_503.xml tests/interop/gw_uac_503.xml

# Interop: blind transfer by REFER (SIPp transferor, SIPp uas as the target).
TESTS += tests/interop/gw_transfer.sh
EXTRA_DIST += tests/interop/gw_transfer.sh tests/interop/gw_uac_refer.xml

# make bench: gateway calls per second (SIPp → PRI on the simulated spans).
BENCH_SH += tests/bench/bench_gw.sh
EXTRA_DIST += tests/bench/bench_gw.sh tests/gw_lib.sh

# More gateway interop: hold/resume by re-INVITE, and malformed SIP during 100 live calls.
TESTS += tests/interop/gw_reinvite.sh tests/interop/gw_flood.sh
EXTRA_DIST += tests/interop/gw_reinvite.sh tests/interop/gw_flood.sh \
	tests/interop/gw_uac_hold.xml tests/interop/gw_uac_stay.xml tests/interop/gw_flood.py \
	tests/interop/gw_rtp_sink.py

# Interop: SIP over TLS to the running gateway (a Python ssl client).
TESTS += tests/interop/gw_tls.sh
EXTRA_DIST += tests/interop/gw_tls.sh tests/interop/gw_tls.py

# make bench: concurrent G.711 calls through the daemon (SIPp + our own RTP
# generator against the echo number of 16 simulated E1 spans), heap per call.
EXTRA_PROGRAMS += tests/bench/bench_gw_media
BENCH_HELPERS += tests/bench/bench_gw_media
tests_bench_bench_gw_media_SOURCES = tests/bench/bench_gw_media.c
tests_bench_bench_gw_media_LDADD =
BENCH_SH += tests/bench/bench_gw_media.sh
EXTRA_PROGRAMS += tests/bench/bench_udp_floor
BENCH_HELPERS += tests/bench/bench_udp_floor
tests_bench_bench_udp_floor_SOURCES = tests/bench/bench_udp_floor.c
tests_bench_bench_udp_floor_LDADD =
EXTRA_DIST += tests/bench/bench_gw_media.sh tests/bench/bench_gw_media.conf \
	tests/bench/bench_gw_media-sim.conf tests/bench/bench_gw_media_uac.xml
