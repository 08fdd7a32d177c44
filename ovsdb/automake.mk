# ovsdb/: the NB schema, its generated C IDL, and validation shared by the CLI and
# the controller.
noinst_LIBRARIES += ovsdb/libvnet.a
ovsdb_libvnet_a_SOURCES = \
	ovsdb/addr.c ovsdb/addr.h \
	ovsdb/allocate.c ovsdb/allocate.h \
	ovsdb/endpoint.c ovsdb/endpoint.h \
	ovsdb/names.c ovsdb/names.h \
	ovsdb/nat.c ovsdb/nat.h \
	ovsdb/nb-session.c ovsdb/nb-session.h \
	ovsdb/remote.c ovsdb/remote.h \
	ovsdb/status-keys.h \
	ovsdb/validate.c ovsdb/validate.h \
	ovsdb/vnet-idl.c ovsdb/vnet-idl.h

dist_pkgdata_DATA += ovsdb/vnet.ovsschema
EXTRA_DIST += ovsdb/vnet-idl.ann
BUILT_SOURCES += ovsdb/vnet-idl.c ovsdb/vnet-idl.h
CLEANFILES += ovsdb/vnet-idl.c ovsdb/vnet-idl.h ovsdb/vnet-idl.ovsidl

OVSDB_IDLC = PYTHONPATH=$(OVS_SRCDIR)/python $(PYTHON) $(OVS_BUILDDIR)/ovsdb/ovsdb-idlc

ovsdb/vnet-idl.ovsidl: ovsdb/vnet.ovsschema ovsdb/vnet-idl.ann
	$(AM_V_GEN)$(MKDIR_P) ovsdb && \
	$(OVSDB_IDLC) annotate $(srcdir)/ovsdb/vnet.ovsschema \
		$(srcdir)/ovsdb/vnet-idl.ann > $@.tmp && mv $@.tmp $@
ovsdb/vnet-idl.c: ovsdb/vnet-idl.ovsidl
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-source $< > $@.tmp && mv $@.tmp $@
ovsdb/vnet-idl.h: ovsdb/vnet-idl.ovsidl
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-header $< > $@.tmp && mv $@.tmp $@
