// METIS 5 (Debian libmetis-dev): only the node nested-dissection entry point is used.
#include <metis.h>
