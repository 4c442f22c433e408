#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

// Reading and writing chat text, without widgets: who is typing as a sentence, whether a
// message mentions someone, where its links are, a one-line excerpt, and nickname
// completion. Shared by the window, the delegate and the input, and tested on its own.
namespace ChatText {

// "Alice is typing…", "Alice and Bob are typing…", "Alice, Bob and 2 others are typing…";
// empty for nobody.
QString typingText(const QStringList &nicks);

// True when `text` addresses `nick`: "@nick" anywhere (case-insensitive, not inside a
// longer word), or "nick:" / "nick," at the start, as completion writes it.
bool mentions(const QString &text, const QString &nick);

struct Link
{
    int start = 0;
    int length = 0;
    QUrl url;
};
// The http(s) links in plain text; trailing punctuation stays outside the link.
QList<Link> links(const QString &text);

// The first line of `text`, cut to about `maxChars` with an ellipsis.
QString excerpt(const QString &text, int maxChars = 60);

struct Completion
{
    int start = -1; // where the replaced word starts; -1: nothing to complete
    QString prefix; // what the user typed (without '@')
    bool atLineStart = false; // a bare nick at the start: completes to "Nick: "
};
// The word before `cursor` that Tab would complete, if any.
Completion completionAt(const QString &text, int cursor);
// The nicks that complete `prefix`, case-insensitively sorted, `self` left out.
QStringList candidates(const QStringList &nicks, const QString &prefix, const QString &self);

} // namespace ChatText
