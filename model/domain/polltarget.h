// What polling a host needs: where to reach it over SSH, how to log in, which interfaces
// to read. No config and no key: a deploy target adds those (DeployTarget).
#pragma once

#include <QString>
#include <QStringList>

struct PollTarget
{
    QString host;
    QString os;
    QString address; ///< ssh.host, else NAME.DOMAIN of the lan/internet site, else its IP
    int port = 22;
    QString user;
    QString identity;  ///< with ~/ expanded
    QString sudoCmd;   ///< empty: the user is root
    QStringList interfaces; ///< interface names
};
