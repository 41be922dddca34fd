/* The system-call interface between high-level apps (User mode) and the sphere-emu kernel
   (Normal-World SVC mode), shared by both. An app does `svc #0` with r7 = call number and
   r0..r3 = arguments; the kernel answers in r0: >= 0 on success, -errno on failure (the
   applibs wrappers turn that into -1 and errno). docs/kernel-and-apps.md lists the calls. */
#ifndef SPHERE_SYSCALL_H
#define SPHERE_SYSCALL_H

#define SYS_EXIT            1   /* r0 = status; never returns */
#define SYS_LOG             2   /* r0 = text, r1 = length: the console */
#define SYS_TIME            3   /* r0 = u64 *ns out: virtual time since boot */
#define SYS_SLEEP           4   /* r0 = ns low word, r1 = ns high word */
#define SYS_GPIO_OPEN_OUT   5   /* r0 = pin, r1 = output mode, r2 = initial value -> fd */
#define SYS_GPIO_OPEN_IN    6   /* r0 = pin -> fd */
#define SYS_GPIO_SET        7   /* r0 = fd, r1 = value */
#define SYS_GPIO_GET        8   /* r0 = fd -> value */
#define SYS_UART_OPEN       9   /* r0 = ISU number (0..4), r1 = baud rate -> fd */
#define SYS_WRITE           10  /* r0 = fd, r1 = buffer, r2 = length -> bytes */
#define SYS_READ            11  /* r0 = fd, r1 = buffer, r2 = length -> bytes */
#define SYS_CLOSE           12  /* r0 = fd */
#define SYS_APP_CONNECT     13  /* r0 = component ID text (36 chars + NUL) -> fd */
#define SYS_SEND            14  /* r0 = fd, r1 = buffer, r2 = length -> bytes */
#define SYS_RECV            15  /* r0 = fd, r1 = buffer, r2 = capacity -> bytes, -EAGAIN if none */
#define SYS_STORAGE_OPEN    16  /* -> fd on the app's mutable storage */
#define SYS_STORAGE_DELETE  17
#define SYS_LSEEK           18  /* r0 = fd, r1 = offset, r2 = whence */

/* errno values (Linux numbering, as Azure Sphere apps see them). */
#define EPERM   1
#define ENOENT  2
#define EIO     5
#define EBADF   9
#define EAGAIN  11
#define ENOMEM  12
#define EFAULT  14
#define EBUSY   16
#define EMFILE  24
#define ENOSPC  28
#define EINVAL  22
#define ENOSYS  38
#define EMSGSIZE 90
#define ECONNREFUSED 111

#endif
