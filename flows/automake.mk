# flows/: the OpenFlow side: the channel to each bridge, the pipeline and its
# generators, desired/installed flow tables and the installer.
noinst_LIBRARIES += flows/libvnetflows.a
flows_libvnetflows_a_SOURCES = \
	flows/flow-table.c flows/flow-table.h \
	flows/flow-units.c flows/flow-units.h \
	flows/installer.c flows/installer.h \
	flows/lan.c flows/lan.h flows/lan-private.h \
	flows/lan-l2.c \
	flows/router.c flows/router.h \
	flows/of-channel.c flows/of-channel.h \
	flows/pipeline.c flows/pipeline.h \
	flows/visit-order.c flows/visit-order.h
