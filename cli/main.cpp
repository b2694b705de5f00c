#include "commands.hpp"

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    try {
        return qjob::cli::run_qjobctl(argc, argv);
    } catch (std::exception const& e) {
        std::cerr << "qjobctl: " << e.what() << '\n';
        return 2;
    }
}
