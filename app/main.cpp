// Entry point of the meshwright program.
#include "commandline.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("meshwright"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MESHWRIGHT_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);
    return CommandLine::run(QCoreApplication::arguments().mid(1), out, err);
}
