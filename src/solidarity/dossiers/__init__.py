"""The State dossier: per State and review cycle, every part of the review side by side,
on the web and as PDF."""
