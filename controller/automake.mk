# controller/: ovs-vnetd.
noinst_LIBRARIES += controller/libvnetd.a
controller_libvnetd_a_SOURCES = \
	controller/allocator.c controller/allocator.h \
	controller/announce.c controller/announce.h \
	controller/attach.c controller/attach.h controller/attach-private.h \
	controller/attach-marks.c controller/attach-one.c \
	controller/attach-trunks.c \
	controller/attach-verify.c \
	controller/binding.c controller/binding.h \
	controller/binding-memos.c controller/binding-private.h \
	controller/binding-endpoints.c \
	controller/binding-patch.c \
	controller/daemon-pid.c controller/daemon-pid.h \
	controller/desired-flows.c controller/desired-flows.h \
	controller/held-packets.c controller/held-packets.h \
	controller/lan-view.c controller/lan-view.h \
	controller/port-list.c controller/port-list.h \
	controller/shash-hashed.h \
	controller/relay.c controller/relay.h \
	controller/relay-taps.c controller/relay-taps.h \
	controller/run-times.c controller/run-times.h \
	controller/underlay.c controller/underlay.h \
	controller/uplink.c controller/uplink.h \
	controller/vswitchd-ask.c controller/vswitchd-ask.h \
	controller/status.c controller/status.h \
	controller/switch-db.c controller/switch-db.h \
	controller/switch-db-ids.c controller/switch-db-private.h \
	controller/nb-lock.c controller/nb-lock.h \
	controller/idl-changes.c controller/idl-changes.h \
	controller/nb-news.c controller/nb-news.h \
	controller/switch-news.c controller/switch-news.h \
	controller/nb-status.c controller/nb-status.h \
	controller/stale-ports.c controller/stale-ports.h \
	controller/switch-records.c controller/switch-records.h \
	controller/switch-session.c controller/switch-session.h \
	controller/switch-session-private.h controller/switch-session-status.c \
	controller/switch-session-steps.c \
	controller/switch-session-elsewhere.c \
	controller/switch-session-patch.c \
	controller/switch-session-numbered.c \
	controller/switch-session-of.c \
	controller/switch-session-txn.c \
	controller/tunnels.c controller/tunnels.h \
	controller/vif.c controller/vif.h \
	controller/vif-addr.c controller/vif-addr.h controller/vif-internal.c \
	controller/vif-netlink.h \
	controller/vif-netlink.c controller/vif-netns.c controller/vif-tc.c \
	controller/vif-tap.c controller/vif-tc.h controller/vif-trunk.c \
	controller/vif-trunk-filters.c controller/vif-trunk-private.h \
	controller/vif-watch.c

sbin_PROGRAMS += controller/ovs-vnetd
controller_ovs_vnetd_SOURCES = controller/ovs-vnetd.c
controller_ovs_vnetd_LDADD = controller/libvnetd.a flows/libvnetflows.a \
	ovsdb/libvnet.a tools/libudptun.a $(OVS_LDADD) $(LIBNL_LIBS)

dist_man_MANS += controller/ovs-vnetd.8
