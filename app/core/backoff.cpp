#include "app/core/backoff.h"

#include <QDateTime>

#include <algorithm>

Backoff::Backoff(int initialMs, int capMs, quint32 seed)
    : m_initialMs(initialMs)
    , m_capMs(capMs)
    , m_random(seed ? seed : quint32(QDateTime::currentMSecsSinceEpoch()))
{
}

int Backoff::next()
{
    const int exponent = std::min(m_attempts, 16);
    const double base = std::min<double>(double(m_initialMs) * double(1 << exponent), m_capMs);
    ++m_attempts;
    const double jitter = 0.8 + 0.4 * m_random.generateDouble();
    return int(std::min<double>(base * jitter, m_capMs));
}

void Backoff::reset()
{
    m_attempts = 0;
}
