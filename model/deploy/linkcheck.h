// The outcome of checking one link by traffic.
#pragma once

#include "deployment.h"

/// One link's verification: an echo through the tunnel, and when it got none, why.
struct LinkCheck
{
    enum class Result {
        Pending,     ///< not answered yet (still retried)
        Ok,          ///< the echo came back: both directions and both routes work
        NoRoute,     ///< the sending end routes the address elsewhere (or nowhere)
        NoHandshake, ///< no handshake with the other end in the last 180 s
        NoReply,     ///< a handshake, but no reply: the other end's route or firewall
        Unreachable, ///< the sending end's SSH connection was lost
    };

    DeployLink link;
    Result result = Result::Pending;
    QString detail; ///< e.g. "10.77.0.12 via wg0", "10.77.0.12 goes via eth0"

    bool ok() const { return result == Result::Ok; }
};
QString linkResultName(LinkCheck::Result result);
