/* Mutable storage (Capabilities.MutableStorage.SizeKB): one file per app, in RAM for the
   life of the run. read/write/lseek/close on the descriptor. */
#ifndef APPLIBS_STORAGE_H
#define APPLIBS_STORAGE_H
int Storage_OpenMutableFile(void);
int Storage_DeleteMutableFile(void);
#endif
