int metajob_placeholder(void);
