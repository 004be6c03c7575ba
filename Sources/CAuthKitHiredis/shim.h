#ifndef CAUTHKIT_HIREDIS_SHIM_H
#define CAUTHKIT_HIREDIS_SHIM_H

#include <stdlib.h>
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

/* Only API present in both hiredis 0.14 and 1.x is used: redisReader*, redisFormatCommandArgv, freeReplyObject. */

static inline redisReply *CAuthKitHiredis_replyElement(const redisReply *reply, size_t index) {
    return reply->element[index];
}

/* The command buffer redisFormatCommandArgv allocates is freed with free() in 0.14 and 1.x alike. */
static inline void CAuthKitHiredis_freeCommand(char *command) {
    free(command);
}

#endif
