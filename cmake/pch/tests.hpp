// The test binaries' precompiled header: everything of third_party.hpp plus
// GoogleTest and RapidCheck, which every test file includes.
#pragma once

#include "cmake/pch/third_party.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
