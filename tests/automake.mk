# tests/: googletest unit tests (pure logic) and integration tests on sandboxed
# switches (tests/integration/*.sh, run by tests/run.sh).
if HAVE_GTEST
check_PROGRAMS += tests/unit-tests
tests_unit_tests_SOURCES = \
	tests/test-remote.cc \
	tests/test-addr.cc \
	tests/test-names.cc \
	tests/test-status.cc \
	tests/test-switch-records.cc \
	tests/test-nb-lock.cc \
	tests/test-stale-ports.cc \
	tests/test-held-packets.cc \
	tests/test-announce.cc \
	tests/test-switch-db-result.cc \
	tests/test-ctl-args.cc \
	tests/test-lan.cc \
	tests/test-lan-remote.cc \
	tests/test-router.cc \
	tests/test-flow-units.cc \
	tests/test-flow-table.cc \
	tests/test-visit-order.cc \
	tests/test-udptun-offload.cc \
	tests/test-udptun-wire.cc \
	tests/test-trace-parse.cc \
	tests/test-tunnel-check.cc \
	tests/test-vswitchd-ask.cc \
	tests/test-binding-up.cc \
	tests/test-daemon-pid.cc \
	tests/flow-lines.h \
	tests/lan-fixture.h \
	tests/flow-round-trip.h \
	tests/packet-outs.h \
	tests/take-string.h \
	tests/temp-dir.h
tests_unit_tests_CXXFLAGS = $(AM_CXXFLAGS) $(GTEST_CFLAGS)
tests_unit_tests_LDADD = tools/libvnetctl.a controller/libvnetd.a flows/libvnetflows.a ovsdb/libvnet.a tools/libudptun.a $(OVS_LDADD) $(LIBNL_LIBS) \
	$(GTEST_LIBS)
endif

# "make check" runs the unit tests; the integration tests need root and
# sandboxes: tests/run.sh.
if HAVE_GTEST
TESTS = tests/unit-tests
endif
EXTRA_DIST += tests/run.sh tests/lib tests/integration tests/data tests/vm \
	tests/fuzz tests/sanitize-ci-tests tests/sanitize.supp .ci
