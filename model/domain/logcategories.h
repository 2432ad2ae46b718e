// Meshwright's logging categories (QT_LOGGING_RULES="meshwright.*=true" shows them all).
// Messages never hold a key: log host names, steps and file paths, not values.
#pragma once

#include <QLoggingCategory>

/// Deploy: the fleet transaction, each host's steps.
Q_DECLARE_LOGGING_CATEGORY(lcDeploy)
/// Live status: polling rounds and what failed in them.
Q_DECLARE_LOGGING_CATEGORY(lcStatus)
/// The project file and its key store: loading, saving, keys written.
Q_DECLARE_LOGGING_CATEGORY(lcProject)
