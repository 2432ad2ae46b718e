// Independent work items spread over the machine's CPUs: the hosts of a project, each
// planned, formatted and written, or checked, on its own.
#pragma once

#include <QThread>

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace Parallel {

/// How many workers to use for \a items items: \a threads (0: one per CPU), never more
/// than there are items, at least one.
inline int workers(qsizetype items, int threads = 0)
{
    const qsizetype wanted = threads > 0 ? threads : QThread::idealThreadCount();
    return int(std::clamp<qsizetype>(wanted, 1, std::max<qsizetype>(items, 1)));
}

/// Calls \a work(worker, item) for every item below \a items, on \a count workers (the
/// calling thread is worker 0). Items are handed out in order, one at a time; when a call
/// returns false no further items are handed out (the ones under way finish). \a work
/// must only read what the workers share, and write what is its worker's or its item's.
template <typename Work>
void run(qsizetype items, int count, Work &&work)
{
    std::atomic<qsizetype> next{0};
    std::atomic<bool> stopped{false};
    auto loop = [&](int worker) {
        for (qsizetype item = next++; item < items && !stopped; item = next++) {
            if (!work(worker, item))
                stopped = true;
        }
    };
    std::vector<std::thread> threads;
    for (int worker = 1; worker < count; ++worker)
        threads.emplace_back(loop, worker);
    loop(0);
    for (std::thread &thread : threads)
        thread.join();
}

} // namespace Parallel
