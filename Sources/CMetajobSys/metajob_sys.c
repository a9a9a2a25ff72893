#include "metajob_sys.h"
int metajob_placeholder(void) { return 0; }
