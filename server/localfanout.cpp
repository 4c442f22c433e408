#include "server/localfanout.h"

#include "server/session.h"

void LocalFanout::add(Session *session)
{
    if (m_index.contains(session))
        return;
    m_index.insert(session, m_sessions.size());
    m_sessions.append(session);
}

void LocalFanout::remove(Session *session)
{
    const auto it = m_index.constFind(session);
    if (it == m_index.cend())
        return;
    const qsizetype pos = *it;
    m_index.erase(it);
    Session *last = m_sessions.takeLast();
    if (last != session) {
        m_sessions[pos] = last;
        m_index[last] = pos;
    }
}

void LocalFanout::deliver(const QString &frame)
{
    for (Session *session : std::as_const(m_sessions))
        session->sendFrame(frame);
}
