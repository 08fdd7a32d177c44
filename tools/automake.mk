# tools/: ovs-vnet-ctl, ovs-vnet-lab and the setup script.
noinst_LIBRARIES += tools/libvnetctl.a
tools_libvnetctl_a_SOURCES = tools/ctl-args.c tools/ctl-args.h \
	tools/trace-parse.c tools/trace-parse.h

bin_PROGRAMS += tools/ovs-vnet-ctl
tools_ovs_vnet_ctl_SOURCES = \
	tools/ovs-vnet-ctl.c tools/ctl.h \
	tools/ctl-db.c tools/ctl-endpoints.c tools/ctl-endpoints.h tools/ctl-lan.c tools/ctl-nat.c tools/ctl-show.c tools/ctl-switch.c \
	tools/ctl-topology.c tools/ctl-capture.c tools/ctl-check.c \
	tools/ctl-vswitch.c tools/ctl-vswitch.h tools/ctl-trace.c \
	tools/ctl-trace-result.c
tools_ovs_vnet_ctl_CFLAGS = $(AM_CFLAGS) $(PCAP_CFLAGS)
tools_ovs_vnet_ctl_LDADD = tools/libvnetctl.a flows/libvnetflows.a ovsdb/libvnet.a $(OVS_LDADD) \
	$(PCAP_LIBS)

dist_bin_SCRIPTS = tools/ovs-vnet-lab
dist_man_MANS += tools/ovs-vnet-ctl.8
EXTRA_DIST += tools/setup.sh

bin_PROGRAMS += tools/ovs-vnet-udptun
tools_ovs_vnet_udptun_SOURCES = tools/ovs-vnet-udptun.c \
	tools/udptun-cmdline.c tools/udptun-cmdline.h
tools_ovs_vnet_udptun_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
tools_ovs_vnet_udptun_LDADD = tools/libudptun.a $(OVS_LDADD) $(LIBEVENT_LIBS)
dist_man_MANS += tools/ovs-vnet-udptun.8 tools/ovs-vnet-lab.1

# The relay's wire format and authentication (also for the controller and
# the unit tests).
noinst_LIBRARIES += tools/libudptun.a
tools_libudptun_a_SOURCES = tools/udptun-wire.c tools/udptun-wire.h \
	tools/udptun-offload.c tools/udptun-offload.h \
	tools/udptun-dev.c tools/udptun-dev.h

# What the lab needs where it is installed: its shell library and the example
# labs.  (In a source tree it uses tests/lib and tools/labs.)
vnetlibdir = $(pkgdatadir)/lib
dist_vnetlib_DATA = tests/lib/sandbox.sh tests/lib/nb-cluster.sh
vnetlabsdir = $(pkgdatadir)/labs
dist_vnetlabs_DATA = tools/labs/two-hosts.lab tools/labs/vlans.lab

# Bash completion for ovs-vnet-ctl and ovs-vnet-lab (one file, under both
# names, as bash-completion looks them up).
bashcompdir = $(datadir)/bash-completion/completions
EXTRA_DIST += tools/ovs-vnet.bash
install-data-local: install-bashcomp
install-bashcomp:
	$(MKDIR_P) $(DESTDIR)$(bashcompdir)
	$(INSTALL_DATA) $(srcdir)/tools/ovs-vnet.bash $(DESTDIR)$(bashcompdir)/ovs-vnet-ctl
	$(INSTALL_DATA) $(srcdir)/tools/ovs-vnet.bash $(DESTDIR)$(bashcompdir)/ovs-vnet-lab
uninstall-local: uninstall-bashcomp
uninstall-bashcomp:
	rm -f $(DESTDIR)$(bashcompdir)/ovs-vnet-ctl $(DESTDIR)$(bashcompdir)/ovs-vnet-lab

# Services: the NB database server (through its helper script) and
# ovs-vnetd, with their options in /etc/default/ovs-vnet.
vnetscriptsdir = $(pkgdatadir)/scripts
vnetscripts_SCRIPTS = tools/ovs-vnet-nb
systemdunitdir = $(SYSTEMD_UNIT_DIR)
systemdunit_DATA = tools/systemd/ovs-vnet-nb.service \
	tools/systemd/ovs-vnetd.service tools/systemd/ovs-vnet.target
EXTRA_DIST += tools/ovs-vnet-nb.in tools/systemd/ovs-vnet-nb.service.in \
	tools/systemd/ovs-vnetd.service.in tools/systemd/ovs-vnet.target \
	tools/systemd/ovs-vnet.default
CLEANFILES += tools/ovs-vnet-nb tools/systemd/ovs-vnet-nb.service \
	tools/systemd/ovs-vnetd.service
defaultdir = $(sysconfdir)/default
install-data-local: install-default
install-default:
	$(MKDIR_P) $(DESTDIR)$(defaultdir)
	test -e $(DESTDIR)$(defaultdir)/ovs-vnet \
	  || $(INSTALL_DATA) $(srcdir)/tools/systemd/ovs-vnet.default \
	       $(DESTDIR)$(defaultdir)/ovs-vnet
uninstall-local: uninstall-default
uninstall-default:
	rm -f $(DESTDIR)$(defaultdir)/ovs-vnet

# Paths as "make" knows them (installation directories are for "make" to
# expand, not configure).
edit_paths = sed \
	-e 's|@pkgdatadir[@]|$(pkgdatadir)|g' \
	-e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@OVS_RUNDIR[@]|$(OVS_RUN_DIR)|g' \
	-e 's|@OVS_LOGDIR[@]|$(OVS_LOG_DIR)|g' \
	-e 's|@OVS_DBDIR[@]|$(OVS_DB_DIR)|g'
# The installation paths as the last "make" had them (also "make install
# prefix=..."): what is made from them is made again when they change.
tools/edit-paths.stamp: FORCE
	@$(MKDIR_P) tools && echo '$(pkgdatadir) $(bindir) $(sbindir) $(sysconfdir) $(OVS_RUN_DIR) $(OVS_LOG_DIR) $(OVS_DB_DIR)' > $@.tmp && \
	if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
FORCE:
CLEANFILES += tools/edit-paths.stamp
tools/ovs-vnet-nb: tools/ovs-vnet-nb.in tools/edit-paths.stamp
	$(AM_V_GEN)$(MKDIR_P) tools && $(edit_paths) $(srcdir)/$@.in > $@.tmp \
	  && chmod +x $@.tmp && mv $@.tmp $@
tools/systemd/ovs-vnet-nb.service tools/systemd/ovs-vnetd.service: %: %.in tools/edit-paths.stamp
	$(AM_V_GEN)$(MKDIR_P) tools/systemd && $(edit_paths) $(srcdir)/$@.in > $@.tmp \
	  && mv $@.tmp $@
