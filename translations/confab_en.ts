<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ChatWindow</name>
    <message numerus="yes">
        <source>Reconnecting in %n s</source>
        <translation>
            <numerusform>Reconnecting in %n s</numerusform>
            <numerusform>Reconnecting in %n s</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Room</name>
    <message numerus="yes">
        <source>Welcome to %1. You are %2. Here: %3 and %n more.</source>
        <translation>
            <numerusform>Welcome to %1. You are %2. Here: %3 and %n more.</numerusform>
            <numerusform>Welcome to %1. You are %2. Here: %3 and %n more.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>At most %n uploads can be under way at once.</source>
        <translation>
            <numerusform>At most %n upload can be under way at once.</numerusform>
            <numerusform>At most %n uploads can be under way at once.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>At most %n downloads can be under way at once; wait for one to finish.</source>
        <translation>
            <numerusform>At most %n download can be under way at once; wait for it to finish.</numerusform>
            <numerusform>At most %n downloads can be under way at once; wait for one to finish.</numerusform>
        </translation>
    </message>
</context>
</TS>
