#define PACKAGE_NAME "ct"
#define PACKAGE_VERSION "fuzz"
