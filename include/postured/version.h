/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The version from `git describe`, generated into the build directory at every build. */
#ifndef POSTURED_VERSION_H
#define POSTURED_VERSION_H

extern const char postured_version[];

#endif
