/* Mutable storage: the app's one file, which the kernel keeps within MutableStorage.SizeKB. */
#include <fcntl.h>
#include <unistd.h>
#include <applibs/storage.h>

#define MUTABLE_STORAGE "/mnt/config/mutable_storage"

int Storage_OpenMutableFile(void) { return open(MUTABLE_STORAGE, O_RDWR | O_CREAT | O_CLOEXEC, 0600); }
int Storage_DeleteMutableFile(void) { return unlink(MUTABLE_STORAGE); }
