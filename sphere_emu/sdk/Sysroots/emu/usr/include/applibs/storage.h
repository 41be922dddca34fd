/* applibs/storage.h: the app's mutable storage file (Capabilities.MutableStorage.SizeKB is
   its quota; EACCES without the capability). read/write/lseek/close on the descriptor. */
#ifndef APPLIBS_STORAGE_H
#define APPLIBS_STORAGE_H
#ifdef __cplusplus
extern "C" {
#endif
int Storage_OpenMutableFile(void);
int Storage_DeleteMutableFile(void);
#ifdef __cplusplus
}
#endif
#endif
