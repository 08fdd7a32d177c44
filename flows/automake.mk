# flows/: the OpenFlow side: the channel to each bridge, later the pipeline and
# the flow installer.
noinst_LIBRARIES += flows/libvnetflows.a
flows_libvnetflows_a_SOURCES = \
	flows/of-channel.c flows/of-channel.h
