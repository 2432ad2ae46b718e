// The Deployer over SSH: the fleet transaction with an SshHostAgent per host.
#pragma once

#include "fleetdeployer.h"

/// Every host's libssh session lives on that host's worker thread. See DESIGN.md, "Deploy".
class SshDeployer : public FleetDeployer
{
    Q_OBJECT

public:
    explicit SshDeployer(QObject *parent = nullptr);
};
