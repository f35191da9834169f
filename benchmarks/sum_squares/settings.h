// sum_squares' sizes that --set changes, declared by the sum_squares
// workload and by concbench_mpi, whose sum_squares rows run the same maps.
#pragma once

#include "concbench/settings.h"

namespace concbench::sum_squares {

inline constexpr SettingInfo kSettings[] = {
    {"sum_squares.tasks", 10'000, 1'000, 40, 1, 10'000'000,
     "tasks of the uniform map (each the seed's f())"},
    {"sum_squares.inner", 10'000, 10'000, 100, 1, 1'000'000,
     "inner bound of each uniform task: f() sums x*x for x below it"},
    {"sum_squares_skewed.tasks", 10'000, 3'000, 40, 2, 1'000'000,
     "tasks of the skewed map (task i sums x*x for x below i)"},
    {"sum_squares.tiny_tasks", 10'000, 1'000, 40, 1, 2'500'000,
     "N of the tiny-task map (inner bound 10), which runs at N and 4N tasks"},
};

}  // namespace concbench::sum_squares
