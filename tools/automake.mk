# tools/: ovs-vnet-ctl, ovs-vnet-lab and the setup script.
noinst_LIBRARIES += tools/libvnetctl.a
tools_libvnetctl_a_SOURCES = tools/ctl-args.c tools/ctl-args.h

bin_PROGRAMS += tools/ovs-vnet-ctl
tools_ovs_vnet_ctl_SOURCES = \
	tools/ovs-vnet-ctl.c tools/ctl.h \
	tools/ctl-db.c tools/ctl-lan.c tools/ctl-nat.c tools/ctl-show.c tools/ctl-switch.c
tools_ovs_vnet_ctl_LDADD = tools/libvnetctl.a flows/libvnetflows.a ovsdb/libvnet.a $(OVS_LDADD)

dist_bin_SCRIPTS = tools/ovs-vnet-lab
dist_man_MANS += tools/ovs-vnet-ctl.8
EXTRA_DIST += tools/setup.sh

bin_PROGRAMS += tools/ovs-vnet-udptun
tools_ovs_vnet_udptun_SOURCES = tools/ovs-vnet-udptun.c
tools_ovs_vnet_udptun_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
tools_ovs_vnet_udptun_LDADD = tools/libudptun.a $(OVS_LDADD) $(LIBEVENT_LIBS)
dist_man_MANS += tools/ovs-vnet-udptun.8 tools/ovs-vnet-lab.1

# The relay's wire format and authentication (also for the controller and
# the unit tests).
noinst_LIBRARIES += tools/libudptun.a
tools_libudptun_a_SOURCES = tools/udptun-wire.c tools/udptun-wire.h
