/* The message protocol of the three-core test (firmware/a7/apps/a7-three-core and
   firmware/apps/three-core-io0, three-core-io1): one (CMD, DATA) mailbox pair per message. */
#ifndef THREE_CORE_H
#define THREE_CORE_H

#define CMD_READY  1u   /* DATA = the sender's IO core number */
#define CMD_TOKEN  2u   /* DATA = the token; each IO core adds 1 before passing it on */
#define ROUNDS     3u

#endif
