// The wg-quick target: wgN.conf and a roaming client's per-gateway profiles.
#pragma once

#include "configfiles.h"
#include "interfaceconfig.h"

namespace WgQuickTarget {

/// HOST/wgN.conf of \a planned, with the header every generated config carries.
ConfigFiles::File file(const PlannedInterface &planned);

} // namespace WgQuickTarget
