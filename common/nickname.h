#pragma once

#include <QString>

// Nicknames as people see them and as the server compares them. A nickname is normalised
// (NFKC), and two nicknames are the same when their case-folded forms are equal, so that
// "Alice", "ａlice" (full-width) and "ALICE" are one person. Control, format (zero-width,
// bidi) and line-separator characters are refused, so "alice\u200b" cannot pose as "alice".
namespace Confab::Nickname {

struct Checked
{
    QString nick; // normalised, to show; empty when refused
    QString error; // a sentence for people when refused
    bool ok() const { return !nick.isEmpty(); }
};

Checked check(const QString &raw);

// The comparison key: NFKC then case-folded. Only meaningful for a checked nickname.
QString key(const QString &nick);

} // namespace Confab::Nickname
