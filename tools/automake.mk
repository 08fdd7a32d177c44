# tools/: ovs-vnet-ctl and the setup script.
bin_PROGRAMS += tools/ovs-vnet-ctl
tools_ovs_vnet_ctl_SOURCES = tools/ovs-vnet-ctl.c
tools_ovs_vnet_ctl_LDADD = ovsdb/libvnet.a $(OVS_LDADD)

EXTRA_DIST += tools/setup.sh
dist_man_MANS += tools/ovs-vnet-ctl.8
