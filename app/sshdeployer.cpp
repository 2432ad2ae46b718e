// The Deployer over SSH: the fleet transaction with an SshHostAgent per host.
#include "sshdeployer.h"

#include "sshhostagent.h"

SshDeployer::SshDeployer(QObject *parent)
    : FleetDeployer([](const DeployTarget &target, const DeployOptions &options) { return std::make_unique<SshHostAgent>(target, options); },
                    parent)
{
}
