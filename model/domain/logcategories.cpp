// Meshwright's logging categories: warnings and up are on by default.
#include "logcategories.h"

Q_LOGGING_CATEGORY(lcDeploy, "meshwright.deploy", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStatus, "meshwright.status", QtWarningMsg)
Q_LOGGING_CATEGORY(lcProject, "meshwright.project", QtWarningMsg)
