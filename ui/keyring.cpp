// The keyring, through QtKeychain's jobs, each waited for in a local event loop.
#include "keyring.h"

#include <qt6keychain/keychain.h>

#include <QEventLoop>
#include <QFileInfo>

namespace {

const QString Service = QStringLiteral("Meshwright key store");

/// Runs \a job to its end; the job never falls back to a plain-text file.
void run(QKeychain::Job &job, const QString &projectPath)
{
    job.setAutoDelete(false);
    job.setInsecureFallback(false);
    job.setKey(QFileInfo(projectPath).absoluteFilePath());
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
}

} // namespace

namespace Keyring {

std::optional<QByteArray> passphrase(const QString &projectPath, QString *error)
{
    QKeychain::ReadPasswordJob job(Service);
    run(job, projectPath);
    if (job.error() != QKeychain::NoError) {
        if (error)
            *error = job.errorString();
        return std::nullopt;
    }
    return job.binaryData();
}

bool remember(const QString &projectPath, const QByteArray &passphrase, QString *error)
{
    QKeychain::WritePasswordJob job(Service);
    job.setBinaryData(passphrase);
    run(job, projectPath);
    if (job.error() != QKeychain::NoError) {
        if (error)
            *error = job.errorString();
        return false;
    }
    return true;
}

void forget(const QString &projectPath)
{
    QKeychain::DeletePasswordJob job(Service);
    run(job, projectPath);
}

} // namespace Keyring
