#pragma once

#include <QtGlobal>

#include <algorithm>

// A token bucket: `burst` messages at once, then `rate` per second. Time comes from the
// caller (milliseconds on a monotonic clock), which keeps it exact to test.
class TokenBucket final
{
public:
    TokenBucket(double rate, int burst) : m_rate(rate), m_burst(burst), m_tokens(burst) { }

    bool isUnlimited() const { return m_rate <= 0; }

    bool take(qint64 nowMs)
    {
        if (isUnlimited())
            return true;
        if (m_lastMs >= 0)
            m_tokens = std::min<double>(m_burst, m_tokens + (nowMs - m_lastMs) * m_rate / 1000.0);
        m_lastMs = nowMs;
        if (m_tokens < 1.0)
            return false;
        m_tokens -= 1.0;
        return true;
    }

    // Milliseconds until one token is there again.
    qint64 waitMs() const
    {
        return isUnlimited() || m_tokens >= 1.0 ? 0 : qint64((1.0 - m_tokens) * 1000.0 / m_rate) + 1;
    }

private:
    double m_rate;
    int m_burst;
    double m_tokens;
    qint64 m_lastMs = -1;
};
