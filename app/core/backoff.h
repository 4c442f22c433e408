#pragma once

#include <QRandomGenerator>

// Reconnect delays: exponential (0.5 s doubling to a 30 s cap) with +-20% jitter, so that a
// room full of clients does not reconnect in lockstep after the host restarts.
class Backoff final
{
public:
    explicit Backoff(int initialMs = 500, int capMs = 30000, quint32 seed = 0);

    int next(); // the delay before the next attempt, in ms; grows with each call
    void reset();
    int attempts() const { return m_attempts; }

private:
    int m_initialMs;
    int m_capMs;
    int m_attempts = 0;
    QRandomGenerator m_random;
};
