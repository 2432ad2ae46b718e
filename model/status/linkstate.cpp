// Judging a link's state from its two ends' views.
#include "linkstate.h"

namespace LinkStates {

LinkState judge(const std::optional<LinkEndView> &a, const std::optional<LinkEndView> &b, bool keepalive)
{
    if (!a && !b)
        return LinkState::Unknown;
    // An end whose interface is down or missing takes the link down at once, whatever the
    // other end remembers of the last handshake.
    if ((a && !a->interfaceUp) || (b && !b->interfaceUp))
        return LinkState::Down;
    auto fresh = [](const std::optional<LinkEndView> &end) {
        return end && end->handshakeAge && *end->handshakeAge < RejectAfter;
    };
    if (a && b) {
        if (fresh(a) && fresh(b))
            return LinkState::Alive;
        if (fresh(a) != fresh(b))
            return LinkState::OneSided;
    } else if (fresh(a) || fresh(b)) {
        return LinkState::Alive; // seen from the only end that can be asked (a phone's gateway)
    }
    // Nothing fresh: quiet is fine on a link that needs no keepalive and moves nothing;
    // a link that never had a handshake was never up.
    const bool everUp = (a && a->handshakeAge) || (b && b->handshakeAge);
    const bool traffic = (a && a->traffic) || (b && b->traffic);
    if (!keepalive && !traffic && everUp)
        return LinkState::Idle;
    return LinkState::Down;
}

QString name(LinkState state)
{
    switch (state) {
    case LinkState::Alive:
        return QStringLiteral("alive");
    case LinkState::Idle:
        return QStringLiteral("idle");
    case LinkState::Down:
        return QStringLiteral("down");
    case LinkState::OneSided:
        return QStringLiteral("one-sided");
    case LinkState::Unknown:
        return QStringLiteral("unknown");
    }
    return {};
}

} // namespace LinkStates
